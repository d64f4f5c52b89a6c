{{ config(materialized='incremental', unique_key='ordered_at') }}
select ordered_at, count(*) as n, sum(amount) as amount from {{ ref('orders') }}
{% if is_incremental() %} where ordered_at >= (select max(ordered_at) - 10 from {{ this }}) {% endif %}
group by ordered_at
