# force_empty drops a cgroup's page cache once its tasks are gone.
mkdir w
spawn w file 20M
wait
cat w/memory.usage_in_bytes
echo 0 > w/memory.force_empty
cat w/memory.usage_in_bytes
rmdir w
