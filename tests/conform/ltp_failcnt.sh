# From LTP memcg_failcnt.sh: allocating twice a limit makes failcnt
# non-zero (anon over one page: OOM-killed without swap; page cache over
# 1M: reclaimed, no OOM; LTP's one-page limit is too small for the large
# folios 6.x reads a file into, so the kernel OOM-kills that reader);
# writing 0 resets it (as does any value: mem_cgroup_reset ignores it).
mkdir w
echo 0 > w/memory.swappiness
echo 4096 > w/memory.limit_in_bytes
spawn w anon 8K
wait
cat w/memory.failcnt
echo 0 > w/memory.failcnt
cat w/memory.failcnt
mkdir f
echo 1M > f/memory.limit_in_bytes
spawn f file 2M
wait
cat f/memory.failcnt
cat f/memory.oom_control
echo 1 > f/memory.failcnt
cat f/memory.failcnt
