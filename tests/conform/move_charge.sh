# move_charge_at_immigrate: the file's values and a task moving with it.
mkdir a b
cat a/memory.move_charge_at_immigrate
echo 3 > b/memory.move_charge_at_immigrate
cat b/memory.move_charge_at_immigrate
echo 4 > b/memory.move_charge_at_immigrate
spawn a anon 8M --hold
wait
echo 1001 > b/cgroup.procs
cat a/memory.usage_in_bytes
cat b/memory.usage_in_bytes
kill 1001
