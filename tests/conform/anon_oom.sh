# Anon over a limit with no swap to go to (swappiness 0 in the simulator,
# no swap on the machine): the OOM killer.
mkdir w
echo 20M > w/memory.limit_in_bytes
echo 0 > w/memory.swappiness
spawn w anon 64M
wait
cat w/memory.oom_control
cat w/memory.failcnt
