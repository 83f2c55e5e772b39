{#- Generic test: the column is strictly positive. Rows with zero or less fail it. -#}
{% test positive_value(model, column_name) %}
select * from {{ model }} where {{ column_name }} <= 0
{% endtest %}
