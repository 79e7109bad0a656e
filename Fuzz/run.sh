#!/usr/bin/env bash
# Fuzz the kiosk's readers with libFuzzer (the Swift toolchain ships it).
#
#   Fuzz/run.sh [SECONDS-PER-READER] [READER...]   fuzz each reader (default: 60 s each, every reader)
#   Fuzz/run.sh --merge [READER...]                fold what the last runs found into the committed corpus
#
# Readers: directory (ORUK JSON, then slips), config (kiosk.toml, then slips), scenario (scenario TOML),
# escpos (printer bytes, decoded). Inputs start from Fuzz/corpus/READER; new inputs go to
# .build-fuzz/found/READER; a crash is written to .build-fuzz/crashes/READER/ and fails the run. Replay a crash
# with the ordinary build: .build/debug/hubkiosk-fuzz READER FILE
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH

all=(directory config scenario escpos)
merge=false
if [ "${1:-}" = "--merge" ]; then merge=true; shift; seconds=0
elif [[ "${1:-}" =~ ^[0-9]+$ ]]; then seconds=$1; shift
else seconds=60; fi
readers=("$@")
[ ${#readers[@]} -gt 0 ] || readers=("${all[@]}")

swift build --product hubkiosk-fuzz --scratch-path .build-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING >&2
fuzzer=.build-fuzz/debug/hubkiosk-fuzz
# Let libFuzzer and AddressSanitizer report a trap, not the Swift runtime's own backtracer.
export SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:handle_sigill=1

dictionary() { case $1 in directory) echo Fuzz/dictionaries/json.dict ;; config | scenario) echo Fuzz/dictionaries/toml.dict ;; *) ;; esac; }

status=0
for reader in "${readers[@]}"; do
    mkdir -p "Fuzz/corpus/$reader" ".build-fuzz/found/$reader" ".build-fuzz/crashes/$reader"
    dict=$(dictionary "$reader")
    # Leaks are not what this looks for (the Swift runtime's caches look like leaks to LeakSanitizer).
    options=(-rss_limit_mb=4096 -timeout=20 -max_len=16384 -print_final_stats=1 -detect_leaks=0)
    [ -n "$dict" ] && options+=("-dict=$dict")
    if $merge; then
        HUBKIOSK_FUZZ_READER=$reader "$fuzzer" -merge=1 "${options[@]}" \
            "Fuzz/corpus/$reader" ".build-fuzz/found/$reader"
        continue
    fi
    echo "== fuzzing $reader for ${seconds}s" >&2
    if ! HUBKIOSK_FUZZ_READER=$reader "$fuzzer" "${options[@]}" -max_total_time="$seconds" \
        -artifact_prefix=".build-fuzz/crashes/$reader/" ".build-fuzz/found/$reader" "Fuzz/corpus/$reader" \
        2> ".build-fuzz/$reader.log"; then
        echo "Fuzz/run.sh: the $reader reader crashed; the input is in .build-fuzz/crashes/$reader/:" >&2
        grep -A25 -m1 -E "ERROR|Fatal error|==[0-9]+==|deadly signal" ".build-fuzz/$reader.log" >&2 || tail -40 ".build-fuzz/$reader.log" >&2
        status=1
    else
        grep -E "^stat::number_of_executed_units|^stat::new_units_added" ".build-fuzz/$reader.log" \
            | sed "s/^/$reader: /" >&2 || true
    fi
done
exit $status
