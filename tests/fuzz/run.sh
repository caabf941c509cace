#!/usr/bin/env bash
# make fuzz: builds every tests/fuzz/fuzz_*.c with clang's libFuzzer + ASan/UBSan against the
# herald sources and runs each for FUZZ_SECONDS (default 60). Corpora live in build/fuzz/.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-60}
out=build/fuzz
mkdir -p "$out"
flags="-std=gnu17 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -pthread -Isrc $(pkg-config --cflags libmicrohttpd libpq libcurl jansson libsodium cjose)"
libs="$(pkg-config --libs libmicrohttpd libpq libcurl jansson libsodium cjose) -lpthread -lm"
srcs=$(ls src/*.c | grep -v '^src/main.c$')
for t in tests/fuzz/fuzz_*.c; do
  name=$(basename "$t" .c)
  echo "== $name ($secs s)"
  # shellcheck disable=SC2086
  clang $flags -o "$out/$name" "$t" $srcs $libs
  mkdir -p "$out/corpus-$name"
  "$out/$name" -max_total_time="$secs" -max_len=4096 -print_final_stats=1 "$out/corpus-$name" 2>&1 | tail -4
done
echo "fuzz: every target ran ${secs}s without a finding"
