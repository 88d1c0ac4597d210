# Dirty page cache written under a 50M limit: written back, no OOM (v1).
mkdir w
echo 50M > w/memory.limit_in_bytes
spawn w dirty 100M
wait
cat w/memory.max_usage_in_bytes
cat w/memory.failcnt
cat w/memory.oom_control
