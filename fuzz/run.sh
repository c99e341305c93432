#!/usr/bin/env bash
# Runs every fuzz target of fairbook for SECONDS each, one after the other (the machine has two
# cores, and libFuzzer uses one), and prints how many inputs each target executed. Installs
# cargo-fuzz first if it is missing.
#
# On the nightly toolchain the targets run under AddressSanitizer, as cargo-fuzz does by
# default. A machine without nightly (the toolchain cannot be fetched here) runs them on stable
# without a sanitizer (`-s none`): the crate's only `unsafe` is two advisory memory hints
# (src/platform/hints.rs), so the sanitizer guards little beyond the dependencies, and the
# coverage-guided search is the same.
#
# A crash stops the run with libFuzzer's report; the input is left in
# fuzz/artifacts/TARGET/ and `cargo fuzz run TARGET ARTIFACT` replays it. Each crash found
# belongs in tests/regressions.rs as a scenario test.
#
# Usage: fuzz/run.sh SECONDS
set -euo pipefail

seconds="${1:?usage: fuzz/run.sh SECONDS}"
cd "$(dirname "$0")"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

if cargo +nightly --version >/dev/null 2>&1; then
    fuzz=(cargo +nightly fuzz)
    sanitizer=(--sanitizer address)
    echo "fuzzing on nightly, under AddressSanitizer"
else
    fuzz=(cargo fuzz)
    sanitizer=(--sanitizer none)
    echo "no nightly toolchain: fuzzing on stable, without a sanitizer"
fi

logs="$(mktemp -d)"
summary=()
for target in $("${fuzz[@]}" list); do
    echo "fuzzing ${target} for ${seconds} s"
    log="${logs}/${target}.log"
    if ! "${fuzz[@]}" run "${sanitizer[@]}" "${target}" -- -max_total_time="${seconds}" \
        >"${log}" 2>&1; then
        tail -n 60 "${log}"
        echo "fuzz target ${target} failed; full log: ${log}" >&2
        exit 1
    fi
    # libFuzzer's last line: "Done 1234567 runs in 60 second(s)".
    runs="$(grep -oE 'Done [0-9]+ runs' "${log}" | tail -n 1 | grep -oE '[0-9]+')"
    summary+=("${target}: ${runs:-?} executions in ${seconds} s")
done

echo "fuzz summary:"
printf '  %s\n' "${summary[@]}"
