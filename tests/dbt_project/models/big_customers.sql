{{ config(materialized='view') }}
select * from {{ ref('customers') }} where total > 100
