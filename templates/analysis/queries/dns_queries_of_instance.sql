-- name: irready-dns-queries-of-instance
-- description: The DNS queries one instance sent through the Route 53 Resolver of its VPC, with the answers.
-- table: dns_query_logs
-- parameters: account, VPC id, first date (yyyy/MM/dd), last date (yyyy/MM/dd), instance id
SELECT query_timestamp,
       query_name,
       query_type,
       rcode,
       answers,
       srcaddr,
       transport,
       firewall_rule_action
FROM dns_query_logs
WHERE account = ?
  AND vpc = ?
  AND "date" BETWEEN ? AND ?
  AND srcids.instance = ?
ORDER BY query_timestamp
