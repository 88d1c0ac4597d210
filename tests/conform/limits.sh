# Limit writes and reading back: suffixes, page rounding, -1, garbage.
mkdir a
echo 50M > a/memory.limit_in_bytes
cat a/memory.limit_in_bytes
echo 4097 > a/memory.limit_in_bytes
cat a/memory.limit_in_bytes
echo 1G > a/memory.limit_in_bytes
cat a/memory.limit_in_bytes
echo -1 > a/memory.limit_in_bytes
cat a/memory.limit_in_bytes
echo foo > a/memory.limit_in_bytes
echo 10M > a/memory.soft_limit_in_bytes
cat a/memory.soft_limit_in_bytes
echo 60 > a/memory.swappiness
cat a/memory.swappiness
echo 101 > a/memory.swappiness
cat a/memory.swappiness
echo 201 > a/memory.swappiness
echo -1 > a/memory.swappiness
cat a/memory.swappiness
rmdir a
