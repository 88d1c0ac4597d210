# From LTP memcg_usage_in_bytes_test.sh and memcg_max_usage_in_bytes_test.sh:
# 1024 pages of anon held: usage and memsw usage, max usage; writing 0 to
# max_usage_in_bytes resets it to the current usage (test3, test4).
mkdir a
echo 8M > a/memory.limit_in_bytes
echo 8M > a/memory.memsw.limit_in_bytes
spawn a anon 4M --hold
sleep 1s
cat a/memory.usage_in_bytes
cat a/memory.memsw.usage_in_bytes
cat a/memory.max_usage_in_bytes
cat a/memory.memsw.max_usage_in_bytes
echo 0 > a/memory.max_usage_in_bytes
echo 0 > a/memory.memsw.max_usage_in_bytes
cat a/memory.max_usage_in_bytes
cat a/memory.memsw.max_usage_in_bytes
kill 1001
