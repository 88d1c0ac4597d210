# The determinism scenario: the same hash natively and in wasm.
mkdir /sys/fs/cgroup/app
echo 256M > /sys/fs/cgroup/app/memory.max
echo 95 > /sys/fs/cgroup/app/memory.wmark_ratio
echo +memory > /sys/fs/cgroup/app/cgroup.subtree_control
mkdir /sys/fs/cgroup/app/web /sys/fs/cgroup/app/batch
echo 64M > /sys/fs/cgroup/app/web/memory.low
spawn /sys/fs/cgroup/app/web steady 120M
spawn /sys/fs/cgroup/app/batch burst 48M
spawn /sys/fs/cgroup/app/batch stream 400M
sleep 3s
