-- One row per customer, names tidied.
select
    id as customer_id,
    first_name || ' ' || last_name as customer_name,
    country_code
from {{ source('raw', 'customers') }}
