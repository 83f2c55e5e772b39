-- One row per order with its payments. In dev only the last dev_window_days of orders are built
-- (cheap, fast iteration); every other target builds the full history.
with payments as (
    select order_id, sum(amount) as amount, count(*) as payment_count
    from {{ ref('stg_payments') }}
    group by order_id
)
select
    o.order_id,
    o.customer_id,
    o.ordered_at,
    o.status,
    coalesce(p.amount, 0) as amount,
    coalesce(p.payment_count, 0) as payment_count
from {{ ref('stg_orders') }} o
left join payments p using (order_id)
{% if target.name == 'dev' %}
where o.ordered_at >= (select max(ordered_at) from {{ ref('stg_orders') }})
                      - interval '{{ var("dev_window_days") }} days'
{% endif %}
