-- name: irready-rejected-flows-by-interface
-- description: Rejected traffic to and from one network interface (an instance's ENI), per flow.
-- table: vpc_flow_logs
-- parameters: account, region, first date (yyyy/MM/dd), last date (yyyy/MM/dd), network interface id
SELECT from_unixtime(start) AS flow_start,
       from_unixtime("end") AS flow_end,
       flow_direction,
       srcaddr,
       srcport,
       dstaddr,
       dstport,
       protocol,
       packets,
       bytes,
       instance_id,
       vpc_id
FROM vpc_flow_logs
WHERE account = ?
  AND region = ?
  AND "date" BETWEEN ? AND ?
  AND interface_id = ?
  AND action = 'REJECT'
ORDER BY start
