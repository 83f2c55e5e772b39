-- Lands the raw shop data the way an EL tool (Fivetran, Airbyte) would: schema raw, with a
-- _loaded_at column per row. Deterministic (setseed), with order dates over the last 60 days.
create schema if not exists raw;
drop table if exists raw.payments, raw.orders, raw.customers;

select setseed(0.42);

create table raw.customers as
select id,
       (array['Ada','Grace','Alan','Edsger','Barbara','Donald','Margaret','Ken','Dennis','Frances'])[1 + (id % 10)] as first_name,
       (array['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Hamilton','Thompson','Ritchie','Allen'])[1 + ((id / 10) % 10)] as last_name,
       (array['DE','US','FR','GB','NL'])[1 + (id % 5)] as country_code,
       now() as _loaded_at
from generate_series(1, 100) as id;

create table raw.orders as
select id,
       1 + (random() * 99)::int as customer_id,
       (now() - (random() * interval '60 days'))::timestamp(0) as ordered_at,
       (array['placed','shipped','completed','completed','completed','returned'])[1 + (random() * 5)::int] as status,
       now() as _loaded_at
from generate_series(1, 1000) as id;

create table raw.payments as
select row_number() over () as id,
       o.id as order_id,
       (array['credit_card','bank_transfer','coupon','gift_card'])[1 + (random() * 3)::int] as payment_method,
       (500 + random() * 9500)::int as amount_cents,
       now() as _loaded_at
from raw.orders o, generate_series(1, 1 + (o.id % 2)) as part;
