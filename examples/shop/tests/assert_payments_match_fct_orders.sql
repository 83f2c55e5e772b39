-- Every order's amount in fct_orders equals the sum of its payments.
select f.order_id
from {{ ref('fct_orders') }} f
join (select order_id, sum(amount) as amount from {{ ref('stg_payments') }} group by 1) p using (order_id)
where abs(f.amount - p.amount) > 0.001
