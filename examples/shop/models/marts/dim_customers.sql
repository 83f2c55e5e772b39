-- One row per customer with lifetime order figures.
select
    c.customer_id,
    c.customer_name,
    k.country_name,
    k.region,
    count(o.order_id) as order_count,
    coalesce(sum(o.amount), 0) as lifetime_value,
    min(o.ordered_at) as first_ordered_at,
    max(o.ordered_at) as last_ordered_at
from {{ ref('stg_customers') }} c
left join {{ ref('countries') }} k using (country_code)
left join {{ ref('fct_orders') }} o using (customer_id)
group by 1, 2, 3, 4
