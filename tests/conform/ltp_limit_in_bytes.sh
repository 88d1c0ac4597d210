# From LTP memcg_limit_in_bytes.sh (controllers/memcg/functional): anon
# over a one-page limit and over a zero limit without swap is OOM-killed
# (test3, test6); the limit is aligned to the page (test9-11); -1 is
# accepted (test12); 1.0, 1xx and xx are not (test13-15).
mkdir w
echo 0 > w/memory.swappiness
echo 4096 > w/memory.limit_in_bytes
spawn w anon 8K
wait
cat w/memory.oom_control
mkdir z
echo 0 > z/memory.swappiness
echo 0 > z/memory.limit_in_bytes
cat z/memory.limit_in_bytes
spawn z anon 4K
wait
cat z/memory.oom_control
mkdir l
echo 4095 > l/memory.limit_in_bytes
cat l/memory.limit_in_bytes
echo 4097 > l/memory.limit_in_bytes
cat l/memory.limit_in_bytes
echo 1 > l/memory.limit_in_bytes
cat l/memory.limit_in_bytes
echo -1 > l/memory.limit_in_bytes
cat l/memory.limit_in_bytes
echo 1.0 > l/memory.limit_in_bytes
echo 1xx > l/memory.limit_in_bytes
echo xx > l/memory.limit_in_bytes
