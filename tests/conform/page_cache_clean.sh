# Clean page cache read under a 50M limit: reclaimed, no OOM.
mkdir w
echo 50M > w/memory.limit_in_bytes
spawn w file 100M
wait
cat w/memory.max_usage_in_bytes
cat w/memory.failcnt
cat w/memory.oom_control
rmdir w
