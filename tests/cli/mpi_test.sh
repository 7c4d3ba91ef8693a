#!/usr/bin/env bash
# `mpirun -np 2 ropelab run`: rank r takes grid points i % 2 == r, rank 0 merges; the merged CSVs must be
# byte-identical to a one-process run. Usage: mpi_test.sh PATH/TO/ropelab
set -u
ropelab=$1
here=$(cd "$(dirname "$0")" && pwd)
source "$here/assertions.bash"
specs="$here/../../experiments"
# CI runs as root and has no ssh: allow root, launch locally.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_plm_rsh_agent=
mpi=(mpirun --allow-run-as-root --oversubscribe --mca plm isolated -np 2)

status=0
"${mpi[@]}" "$ropelab" run "$specs/tiny.toml" --out "$scratch/mpi" --threads 1 >"$scratch/out" 2>"$scratch/err" || status=$?
expect_equal "mpirun exit" "$status" 0
expect_contains "mpirun summary" "$(<"$scratch/out")" "ran 8 of 8 grid points (0 already done) on 2 ranks"
if [[ $status != 0 ]]; then cat "$scratch/err" >&2; fi
run run "$specs/tiny.toml" --out "$scratch/one" --threads 2 --quiet
expect_equal "single exit" "$status" 0
for f in wall.csv zone.csv inversion.csv; do
  if cmp -s "$scratch/mpi/$f" "$scratch/one/$f"; then pass; else fail "2-rank $f differs from the one-process run"; fi
done
expect_contains "manifest ranks" "$(<"$scratch/mpi/manifest.json")" '"ranks": 2'
expect_equal "point files" "$(ls "$scratch/mpi/points" | grep -c '^[0-9]*\.csv$')" 8

echo "mpi_test: $passed passed, $failed failed"
[[ $failed == 0 ]]
