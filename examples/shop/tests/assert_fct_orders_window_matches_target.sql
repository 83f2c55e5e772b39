-- Shows the dev/prod difference: dev holds no order older than the window; every other target
-- holds every staged order.
{% if target.name == 'dev' %}
select order_id
from {{ ref('fct_orders') }}
where ordered_at < (select max(ordered_at) from {{ ref('stg_orders') }})
                   - interval '{{ var("dev_window_days") }} days'
{% else %}
select s.order_id
from {{ ref('stg_orders') }} s
left join {{ ref('fct_orders') }} f using (order_id)
where f.order_id is null
{% endif %}
