-- name: irready-rejected-flows-by-address
-- description: Rejected traffic to and from one private IP address (an instance's), per flow; the same address is given twice.
-- table: vpc_flow_logs
-- parameters: account, region, first date (yyyy/MM/dd), last date (yyyy/MM/dd), IP address, the same IP address
SELECT from_unixtime(start) AS flow_start,
       from_unixtime("end") AS flow_end,
       interface_id,
       flow_direction,
       srcaddr,
       srcport,
       dstaddr,
       dstport,
       protocol,
       packets,
       bytes,
       pkt_srcaddr,
       pkt_dstaddr
FROM vpc_flow_logs
WHERE account = ?
  AND region = ?
  AND "date" BETWEEN ? AND ?
  AND (srcaddr = ? OR dstaddr = ?)
  AND action = 'REJECT'
ORDER BY start
