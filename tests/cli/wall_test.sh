#!/usr/bin/env bash
# `ropelab wall`: facts derivable by hand from the format definitions, never earlier output of the program.
# The key fact: a pipeline whose positions are stored in a p-bit format holds every integer up to 2^p
# exactly, and above it rounds m to nearest, ties to even. Where two adjacent positions round to the same
# value, every pair rotates them identically: a collision of all pairs. Pair 0 has omega = 1 exactly
# (base^0, in every format), so its angle is the stored position itself, and distinct stored positions
# 1, 2 or 4 rad apart can never give one (cos, sin): all pairs collide exactly where the positions merge.
# Usage: wall_test.sh path/to/ropelab
set -euo pipefail
ropelab=${1:?usage: wall_test.sh path/to/ropelab}
# shellcheck source=tests/cli/assertions.bash
source "$(dirname "${BASH_SOURCE[0]}")/assertions.bash"

# quantity NAME: the value column of the overall table row NAME in $out (values without blanks).
quantity() { awk -v name="$1" 'index($0, name "  ") == 1 { print $NF; exit }' <<<"$out"; }
# csv_cell FILE KEY COLUMN: the COLUMN (by header name) of the row whose first field is KEY.
csv_cell() {
  awk -F, -v key="$2" -v column="$3" '
    NR == 1 { for (i = 1; i <= NF; i++) index_of[$i] = i; next }
    $1 == key { print $(index_of[column]) }' "$1"
}
# merging_positions P L: each m in [0, L - 2] whose neighbour m + 1 rounds to the same p-bit value as m,
# by integer arithmetic (round to nearest, ties to even), independent of the code under test.
merging_positions() {
  awk -v p="$1" -v L="$2" '
    function rne(m,   q, lo, r) {
      q = 1
      while (m >= 2 ^ p * q) q *= 2
      lo = int(m / q) * q; r = m - lo
      if (r * 2 > q || (r * 2 == q && int(lo / q) % 2 == 1)) lo += q
      return lo
    }
    BEGIN { for (m = 0; m <= L - 2; m++) if (rne(m) == rne(m + 1)) print m }'
}
# all_pairs_rows FILE PAIRS: the positions of a per-position CSV at which all PAIRS pairs collide.
all_pairs_rows() { awk -F, -v pairs="$2" 'NR > 1 && $2 == pairs { print $1 }' "$1"; }

# --- the oracle helper itself: binary16 (p = 11) keeps 2048, 2049 -> 2048 (tie, even), 2051 -> 2052
expect_equal "oracle: fp16 merges" "$(merging_positions 11 2060 | tr '\n' ' ')" "2048 2051 2052 2055 2056 "
expect_equal "oracle: bf16 merges" "$(merging_positions 8 262 | tr '\n' ' ')" "256 259 260 "

# --- gpt-neox-fp16: fp16 positions, omega, angles and tables; 16 pairs
run wall --preset gpt-neox-fp16 --base 10000 --dim 32 --context 4096 --csv "$scratch/neox.csv" \
  --pairs-csv "$scratch/neox_pairs.csv"
expect_equal "neox exit code" "$status" 0
expect_equal "neox stderr" "$err" ""
expect_contains "neox spec line" "$out" "rotary dims 32, base 10000, scaling default, context 4096"
# 2048 = 2^11 is exact; 2049 is the tie between 2048 and 2050 and goes to 2048 (even significand)
expect_equal "neox all-pairs collision" "$(quantity "first adjacent collision (all pairs)")" 2048
any=$(quantity "first adjacent collision (any pair)")
expect_equal "neox any-pair collision is a position <= 2048" "$([[ $any =~ ^[0-9]+$ ]] && ((any <= 2048)) && echo ok)" ok
expect_equal "neox max colliding fraction" "$(quantity "max fraction of pairs colliding at one m")" 1
expect_equal "neox max colliding fraction at" "$(awk '/^max fraction of pairs/ { getline; print $NF }' <<<"$out")" 2048
expect_equal "neox omega subnormal / flushed" "$(grep '^omega subnormal' <<<"$out" | awk '{ print $(NF-2), $(NF-1), $NF }')" "0 / 0"
# per-position CSV: header, exactly L rows 0..L-1
expect_equal "neox csv header" "$(head -n1 "$scratch/neox.csv")" "position,colliding_pairs,colliding_fraction,max_phase_error"
expect_equal "neox csv rows" "$(($(wc -l <"$scratch/neox.csv") - 1))" 4096
expect_equal "neox csv positions in order" "$(awk -F, 'NR > 1 && $1 != NR - 2 { bad++ } END { print bad + 0 }' "$scratch/neox.csv")" 0
# all 16 pairs collide exactly where fp16 merges m and m + 1: 1023 positions from 2048 to 4092
expect_equal "neox all-pairs positions" "$(all_pairs_rows "$scratch/neox.csv" 16)" "$(merging_positions 11 4096)"
expect_equal "neox all-pairs count" "$(all_pairs_rows "$scratch/neox.csv" 16 | wc -l)" 1023
expect_equal "neox fraction 1 where all collide" "$(awk -F, 'NR > 1 && $2 == 16 && $3 != 1' "$scratch/neox.csv")" ""
# position 0: every angle is 0, so (1, 0) exactly, no error; m = 1 differs for every pair (sin omega != 0)
expect_equal "neox row 0" "$(sed -n 2p "$scratch/neox.csv")" "0,0,0,0"
# the last position has no neighbour inside the context
expect_equal "neox last row colliding" "$(csv_cell "$scratch/neox.csv" 4095 colliding_pairs)" 0
# per-pair CSV: one row per pair
expect_equal "neox pairs rows" "$(($(wc -l <"$scratch/neox_pairs.csv") - 1))" 16
expect_equal "neox pair indices" "$(tail -n +2 "$scratch/neox_pairs.csv" | cut -d, -f1 | tr '\n' ' ')" \
  "$(seq -s ' ' 0 15) "
expect_equal "neox pair 0 reference omega" "$(csv_cell "$scratch/neox_pairs.csv" 0 reference_omega)" 1
expect_equal "neox pair 0 stored omega" "$(csv_cell "$scratch/neox_pairs.csv" 0 stored_omega)" 1
expect_equal "neox pair 0 first collision" "$(csv_cell "$scratch/neox_pairs.csv" 0 first_adjacent_collision)" 2048
# pair 0's angle is exact up to 2048 (only the fp16 cos/sin rounding, ~1e-3 rad); at 2049 it is 1 rad off
expect_equal "neox pair 0 first tau exceed" "$(csv_cell "$scratch/neox_pairs.csv" 0 first_tau_exceed)" 2049
# pair 4: omega = 10000^(-8/32) = 0.1 exactly, binary64 0.1 printed with 17 digits
expect_equal "neox pair 4 reference omega" "$(csv_cell "$scratch/neox_pairs.csv" 4 reference_omega)" 0.10000000000000001

# --- hf-4.37-cast-bf16: bf16 positions (p = 8): exact to 256, 257 -> 256
run wall --preset hf-4.37-cast-bf16 --base 10000 --dim 128 --max-positions 512 --context 1024 --csv "$scratch/cast.csv" \
  --pairs-csv "$scratch/cast_pairs.csv"
expect_equal "cast exit code" "$status" 0
expect_equal "cast all-pairs collision" "$(quantity "first adjacent collision (all pairs)")" 256
expect_equal "cast all-pairs positions" "$(all_pairs_rows "$scratch/cast.csv" 64)" "$(merging_positions 8 1024)"
expect_equal "cast csv rows" "$(($(wc -l <"$scratch/cast.csv") - 1))" 1024
expect_equal "cast pairs rows" "$(($(wc -l <"$scratch/cast_pairs.csv") - 1))" 64
expect_equal "cast pair 0 first collision" "$(csv_cell "$scratch/cast_pairs.csv" 0 first_adjacent_collision)" 256
expect_equal "cast pair 0 first tau exceed" "$(csv_cell "$scratch/cast_pairs.csv" 0 first_tau_exceed)" 257
# position 257 is stored as 256: pair 0 is 1 rad off there, so the overall maximum is well above 0.9
expect_equal "cast max phase error > 0.9" "$(awk -v e="$(quantity "max phase error (rad)")" 'BEGIN { print (e > 0.9) }')" 1
tau=$(quantity "first phase error > tau = 0.1 rad")
expect_equal "cast first tau exceed <= 257" "$([[ $tau =~ ^[0-9]+$ ]] && ((tau <= 257)) && echo ok)" ok
# omega: 1 / pow(10000, 2i/128) in fp32, then the buffer cast to bf16.
# pair 16: fl32(1/10) = 0x3dcccccd -> bf16 0x3dcd = 205/2048 (0.1 * 2048 = 204.8)
expect_equal "cast pair 16 stored omega" "$(csv_cell "$scratch/cast_pairs.csv" 16 stored_omega)" 0.10009765625
# pair 32: fl32(1/100) -> bf16 164/16384 (0.01 * 16384 = 163.84)
expect_equal "cast pair 32 stored omega" "$(csv_cell "$scratch/cast_pairs.csv" 32 stored_omega)" 0.010009765625
expect_equal "cast pair 32 reference omega" "$(csv_cell "$scratch/cast_pairs.csv" 32 reference_omega)" 0.01
expect_equal "cast pair 48 reference omega" "$(csv_cell "$scratch/cast_pairs.csv" 48 reference_omega)" 0.001

# --- hf-eager-bf16 on the same inputs: fp32 positions are exact far beyond 1024; pair 0 never collides
run wall --preset hf-eager-bf16 --base 10000 --dim 128 --context 1024 --pairs-csv "$scratch/eager_pairs.csv"
expect_equal "eager exit code" "$status" 0
expect_equal "eager all-pairs collision" "$(quantity "first adjacent collision (all pairs)")" none
# exact fp32 angles (error < 2e-4 rad) and a bf16 table (|(dc, ds)| <= sqrt(2) 2^-9): < 0.003 rad < tau
expect_equal "eager first tau exceed" "$(quantity "first phase error > tau = 0.1 rad")" none
expect_equal "eager max phase error < 0.01" "$(awk -v e="$(quantity "max phase error (rad)")" 'BEGIN { print (e < 0.01) }')" 1
expect_equal "eager pair 0 no collision" "$(csv_cell "$scratch/eager_pairs.csv" 0 first_adjacent_collision)" -1
# fl32(1/10) = 0x3dcccccd = 13421773 * 2^-27; fl32(1/100) = 0x3c23d70a = 10737418 * 2^-30
expect_equal "eager pair 16 stored omega" "$(csv_cell "$scratch/eager_pairs.csv" 16 stored_omega)" 0.10000000149011612
expect_equal "eager pair 32 stored omega" "$(csv_cell "$scratch/eager_pairs.csv" 32 stored_omega)" 0.0099999997764825821
# a different tau moves only the tau row's label
run wall --preset hf-eager-bf16 --base 10000 --dim 128 --context 1024 --tau 0.5
expect_contains "tau label" "$out" "first phase error > tau = 0.5 rad"

# --- threads: results independent of the thread count (16 blocks of 4096 positions), byte for byte
for threads in 1 2; do
  run wall --preset hf-4.37-cast-bf16 --base 10000 --dim 128 --context 65536 --threads "$threads" --seed 7 \
    --csv "$scratch/t$threads.csv" --pairs-csv "$scratch/t${threads}_pairs.csv"
  expect_equal "threads $threads exit code" "$status" 0
  printf '%s\n' "$out" >"$scratch/t$threads.out"
done
expect_equal "threads: stdout identical" "$(cmp -s "$scratch/t1.out" "$scratch/t2.out" && echo same)" same
expect_equal "threads: csv identical" "$(cmp -s "$scratch/t1.csv" "$scratch/t2.csv" && echo same)" same
expect_equal "threads: pairs csv identical" "$(cmp -s "$scratch/t1_pairs.csv" "$scratch/t2_pairs.csv" && echo same)" same
# the seed is read as decimal or 0x-hex: 0x7 is 7
run wall --preset hf-4.37-cast-bf16 --base 10000 --dim 128 --context 65536 --threads 2 --seed 0x7
expect_equal "hex seed = decimal seed" "$out" "$(<"$scratch/t1.out")"

# --- sampled positions: key and score errors at every floor(L / 65536)-th position and the last, and the label says so
for case in "4096 every position" "131072 every 2nd position and the last" "200000 every 3rd position and the last"; do
  read -r context sampled <<<"$case"
  run wall --preset hf-eager-bf16 --base 10000 --dim 8 --context "$context"
  expect_contains "key error sampling at $context" "$out" "max rotated-key error (abs), $sampled  "
  expect_contains "score error sampling at $context" "$out" "max score error (abs), $sampled  "
done

# --- angle-only error |stored angle - m omega|. m and omega exact in binary64, the product rounded to binary32: a
# correctly rounded binary32 angle (up to binary64's rounding, ~2^-27 of an ulp), so every pair's error is at most
# half an ulp of binary32 in the binade of its largest angle (L - 1) omega.
# pairs_over_half_ulp FILE L: the pairs of a pairs CSV whose max_angle_error exceeds that half ulp (x 1 + 2^-20).
pairs_over_half_ulp() {
  awk -F, -v L="$2" '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { x = (L - 1) * $c["reference_omega"]; e = 0
      while (2 ^ (e + 1) <= x) e++
      while (2 ^ e > x) e--
      if ($c["max_angle_error"] > 2 ^ (e - 24) * (1 + 2 ^ -20)) print $1 }' "$1"
}
rounded=(--preset hf-eager-bf16 --set "omega_method=correctly_rounded,omega_format=binary64,position_format=binary64")
run wall "${rounded[@]}" --base 10000 --dim 32 --context 4096 --pairs-csv "$scratch/rounded_pairs.csv"
expect_equal "rounded angle exit code" "$status" 0
expect_equal "rounded angle: pairs csv rows" "$(($(wc -l <"$scratch/rounded_pairs.csv") - 1))" 16
expect_equal "rounded angle: no pair above half an ulp" "$(pairs_over_half_ulp "$scratch/rounded_pairs.csv" 4096)" ""
# pair 0: omega = 1, the angle is the position itself, exact in binary32
expect_equal "rounded angle: pair 0 exact" "$(csv_cell "$scratch/rounded_pairs.csv" 0 max_angle_error)" 0
# pair 1: 4095 omega = 2302.8 lies in [2^11, 2^12), half an ulp 2^-13; ~470 roundings there come within 10% of it
expect_equal "rounded angle: pair 1 near half an ulp" \
  "$(awk -v e="$(csv_cell "$scratch/rounded_pairs.csv" 1 max_angle_error)" 'BEGIN { print (e > 0.9 * 2 ^ -13) }')" 1
# the summary prints 4 significant digits (%.4g) of the CSV's full-precision value
expect_equal "rounded angle: overall = max over pairs" "$(quantity "max angle error (rad)")" \
  "$(printf '%.4g' "$(csv_cell "$scratch/rounded_pairs.csv" 1 max_angle_error)")"
# a rotation recurrence stores no angle: "none" in the summary, nan in the CSV
run wall --preset hf-eager-bf16 --set incremental=rotation_recurrence --base 10000 --dim 32 --context 4096 \
  --pairs-csv "$scratch/recurrence_pairs.csv"
expect_equal "recurrence: no angle error" "$(quantity "max angle error (rad)")" none
expect_equal "recurrence: csv nan" "$(csv_cell "$scratch/recurrence_pairs.csv" 0 max_angle_error)" nan

# --- --k-file / --q-file. emulate's rotated key at m = 0 is its input key (cos 0 = 1 and sin 0 = 0 exactly, fp16 in
# and out), which without --k-file is seed 0's draw, wall's default: as a --k-file it must give the seeded run's
# key and score errors. A zero query makes every score 0 and leaves the key error alone.
neox=(--preset gpt-neox-fp16 --base 10000 --dim 32)
run emulate "${neox[@]}" --positions 0 --out "$scratch/key0"
expect_equal "key dump exit code" "$status" 0
key_error="max rotated-key error (abs), every position"
score_error="max score error (abs), every position"
run wall "${neox[@]}" --context 5000
seeded_key=$(quantity "$key_error")
seeded_score=$(quantity "$score_error")
expect_equal "seeded key error measured" "$([[ $seeded_key =~ ^[0-9] ]] && echo yes)" yes
run wall "${neox[@]}" --context 5000 --k-file "$scratch/key0/key.npy"
expect_equal "k-file (.npy) = seeded key: key error" "$(quantity "$key_error")" "$seeded_key"
expect_equal "k-file (.npy) = seeded key: score error" "$(quantity "$score_error")" "$seeded_score"
# the same key as CSV: the float64 data after the .npy header (10 bytes + the length stored at bytes 8-9)
header=$(od -A n -t u2 -j 8 -N 2 "$scratch/key0/key.npy" | tr -d ' ')
od -A n -v -t f8 -j $((10 + header)) "$scratch/key0/key.npy" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//; s/ /,/g' \
  >"$scratch/key0.csv"
expect_equal "key csv has head_dim values" "$(awk -F, '{ print NF }' "$scratch/key0.csv")" 32
run wall "${neox[@]}" --context 5000 --k-file "$scratch/key0.csv"
expect_equal "k-file (CSV) = seeded key: key error" "$(quantity "$key_error")" "$seeded_key"
printf '0%.0s,' {1..31} >"$scratch/zero_query.csv"
echo 0 >>"$scratch/zero_query.csv"
run wall "${neox[@]}" --context 5000 --q-file "$scratch/zero_query.csv"
expect_equal "zero query: score error" "$(quantity "$score_error")" 0
expect_equal "zero query: key error unchanged" "$(quantity "$key_error")" "$seeded_key"

# --- --from: `wall` of an `emulate` dump of positions 0..L-1 is `wall` over the same context (the same table against
# the same exact reference): every phase, angle, table-ulp and collision number, byte for byte. 5000 positions cross
# the first block of 4096; fp16 positions merge from 2048 on, where all pairs collide.
run emulate "${neox[@]}" --positions 0:5000 --out "$scratch/dump"
expect_equal "emulate dump exit code" "$status" 0
run wall "${neox[@]}" --context 5000 --csv "$scratch/swept.csv" --pairs-csv "$scratch/swept_pairs.csv" \
  --map "$scratch/swept_map.csv"
swept=$out
run wall "${neox[@]}" --from "$scratch/dump" --csv "$scratch/dumped.csv" --pairs-csv "$scratch/dumped_pairs.csv" \
  --map "$scratch/dumped_map.csv"
expect_equal "--from exit code" "$status" 0
expect_equal "--from stderr" "$err" ""
expect_contains "--from names the dump" "$out" "dump $scratch/dump: 5000 positions in [0, 4999]"
expect_contains "--from says where collisions count" "$out" \
  "adjacent collisions only at listed m whose m + 1 is listed (4999 such m)"
expect_equal "--from all-pairs collision" "$(quantity "first adjacent collision (all pairs)")" 2048
expect_equal "--from: no key error without --k-file" "$(quantity "max rotated-key error (abs), every listed position")" none
# the overall table without its key and score rows (their labels differ), blanks squeezed
table_rows() { sed -n '/^quantity/,/^$/p' <<<"$1" | grep -v -e "rotated-key" -e "score error" | tr -s ' '; }
expect_equal "--from = wall: overall table" "$(table_rows "$out")" "$(table_rows "$swept")"
expect_equal "--from = wall: pair groups" "$(sed -n '/^pairs /,$p' <<<"$out")" "$(sed -n '/^pairs /,$p' <<<"$swept")"
for csv in "" _pairs _map; do
  expect_equal "--from = wall: csv$csv" "$(cmp "$scratch/dumped$csv.csv" "$scratch/swept$csv.csv" && echo same)" same
done
# with the unrotated key: the dumped key.npy against the exact rotation, every listed position (all 5000 = every
# position of the sweep; the fp16 key cache rounds nothing more), so the seeded run's numbers
run wall "${neox[@]}" --from "$scratch/dump" --k-file "$scratch/key0/key.npy"
expect_equal "--from key error = wall's" "$(quantity "max rotated-key error (abs), every listed position")" "$seeded_key"
expect_equal "--from score error = wall's" "$(quantity "max score error (abs), every listed position")" "$seeded_score"

# --- --from with gaps: collisions only between listed m and m + 1. fp16 rounds 2049 to 2048 (all pairs collide);
# 2050 is exact; 3001 rounds to 3000 too, but 3001 is not listed, so 3000 collides with nothing.
expect_equal "oracle: 3000 merges" "$(merging_positions 11 3002 | tail -n1)" 3000
run emulate "${neox[@]}" --positions 0:10,2047:2050,3000 --out "$scratch/sparse"
run wall "${neox[@]}" --from "$scratch/sparse" --csv "$scratch/sparse.csv" --map "$scratch/sparse_map.csv"
expect_equal "sparse exit code" "$status" 0
expect_contains "sparse: adjacent count" "$out" "(11 such m)"
expect_equal "sparse all-pairs collision" "$(quantity "first adjacent collision (all pairs)")" 2048
listed="0 1 2 3 4 5 6 7 8 9 2047 2048 2049 3000 "
expect_equal "sparse csv positions" "$(tail -n +2 "$scratch/sparse.csv" | cut -d, -f1 | tr '\n' ' ')" "$listed"
expect_equal "sparse map positions" "$(tail -n +2 "$scratch/sparse_map.csv" | cut -d, -f1 | uniq | tr '\n' ' ')" "$listed"
expect_equal "sparse 2048 collides" "$(csv_cell "$scratch/sparse.csv" 2048 colliding_pairs)" 16
expect_equal "sparse 2049 does not" "$(csv_cell "$scratch/sparse.csv" 2049 colliding_pairs)" 0
expect_equal "sparse 3000 has no listed neighbour" "$(csv_cell "$scratch/sparse.csv" 3000 colliding_pairs)" 0
expect_equal "sweep 3000 collides" "$(csv_cell "$scratch/swept.csv" 3000 colliding_pairs)" 16

# --- bad input: exit 2, one line naming the option, nothing on stdout, no CSV (not even a temporary)
mkdir "$scratch/refused"
printf '{"hidden_size": 4096, "num_attention_heads": 32,\n "max_position_embeddings": 4096' >"$scratch/truncated.json"
printf '{"hidden_size": 128, "num_attention_heads": 1, "max_position_embeddings": 4096, "rope_theta": -5}\n' \
  >"$scratch/negative_theta.json"
expect_refused() {  # NAME NEEDLE... -- ARGS...
  expect_usage_error "$@" --csv "$scratch/refused/positions.csv"
  expect_equal "$1: no file written" "$(ls -A "$scratch/refused")" ""
}
spec=(--base 10000 --dim 32)
expect_refused "unknown preset" "--preset" "'nope'" -- wall --preset nope "${spec[@]}" --context 4096
expect_refused "unknown model" "--model" "'nope'" -- wall --preset hf-eager-bf16 --model nope --context 4096
expect_refused "malformed config" "--config" "JSON" -- wall --preset hf-eager-bf16 --config "$scratch/truncated.json" --context 4096
expect_refused "negative rope_theta" "--config" "rope_theta" -- \
  wall --preset hf-eager-bf16 --config "$scratch/negative_theta.json" --context 4096
expect_refused "missing config" "--config" -- wall --preset hf-eager-bf16 --config "$scratch/absent.json" --context 4096
expect_refused "odd dim" "--dim" "7" -- wall --preset hf-eager-bf16 --base 10000 --dim 7 --context 4096
expect_refused "zero dim" "--dim" "0" -- wall --preset hf-eager-bf16 --base 10000 --dim 0 --context 4096
expect_refused "base 1" "--base" "1" -- wall --preset hf-eager-bf16 --base 1 --dim 32 --context 4096
expect_refused "base 0.5" "--base" "0.5" -- wall --preset hf-eager-bf16 --base 0.5 --dim 32 --context 4096
expect_refused "context 0" "--context" -- wall --preset hf-eager-bf16 "${spec[@]}" --context 0
expect_refused "context 1" "--context" -- wall --preset hf-eager-bf16 "${spec[@]}" --context 1
expect_refused "context -5" "--context" "-5" -- wall --preset hf-eager-bf16 "${spec[@]}" --context -5
expect_refused "no context" "--context" -- wall --preset hf-eager-bf16 "${spec[@]}"
expect_refused "tau 0" "--tau" -- wall --preset hf-eager-bf16 "${spec[@]}" --context 4096 --tau 0
expect_refused "tau -1" "--tau" "-1" -- wall --preset hf-eager-bf16 "${spec[@]}" --context 4096 --tau -1
expect_refused "two spec sources" "--model" -- wall --preset hf-eager-bf16 --model llama-2-7b --base 10000 --context 4096
expect_refused "no spec source" "--model" -- wall --preset hf-eager-bf16 --context 4096
expect_refused "base without dim" "--dim" -- wall --preset hf-eager-bf16 --base 10000 --context 4096
expect_refused "bad pairing" "--pairing" -- wall --preset hf-eager-bf16 "${spec[@]}" --pairing diagonal --context 4096
expect_refused "rotary dims > dim" "--rotary-dims" -- wall --preset hf-eager-bf16 "${spec[@]}" --rotary-dims 64 --context 4096
expect_refused "negative threads" "--threads" -- wall --preset hf-eager-bf16 "${spec[@]}" --context 4096 --threads -1
expect_refused "negative seed" "--seed" -- wall --preset hf-eager-bf16 "${spec[@]}" --context 4096 --seed -1
expect_refused "zero groups" "--groups" -- wall --preset hf-eager-bf16 "${spec[@]}" --context 4096 --groups 0
# 4e12 positions of per-position rows are ~10^14 bytes: refused from the size alone, before any allocation
start=$(date +%s%N)
expect_refused "context beyond memory" "--context" "MiB" -- wall --preset hf-eager-bf16 "${spec[@]}" --context 4000000000000
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
expect_equal "context beyond memory: refused within a second" "$((elapsed_ms < 1000))" 1
expect_refused "context beyond memory says memory" "memory" -- wall --preset hf-eager-bf16 "${spec[@]}" --context 4000000000000
expect_refused "context beyond 2^53" "--context" "2^53" -- wall --preset hf-eager-bf16 "${spec[@]}" --context 9007199254740993
expect_refused "context beyond int64" "--context" "9223372036854775808" -- \
  wall --preset hf-eager-bf16 "${spec[@]}" --context 9223372036854775808
expect_refused "rotary dims with a model" "--rotary-dims" -- \
  wall --preset hf-eager-bf16 --model llama-2-7b --rotary-dims 8 --context 4096
expect_refused "pairing with a model" "--pairing" -- \
  wall --preset hf-eager-bf16 --model llama-2-7b --pairing interleaved --context 4096
expect_usage_error "compare negative threads" "--threads" -- \
  compare --presets hf-eager-bf16 "${spec[@]}" --context 4096 --threads -1
# --k-file / --q-file / --from refused inputs
printf '1,2,3\n' >"$scratch/short.csv"
run emulate --preset gpt-neox-fp16 --base 10000 --dim 32 --positions 0:8 --out "$scratch/small"
broken() {  # NAME: a fresh copy of the small dump to break
  rm -rf "$scratch/broken_$1"
  cp -r "$scratch/small" "$scratch/broken_$1"
  echo "$scratch/broken_$1"
}
expect_refused "short k-file" "--k-file" "head_dim = 32" -- \
  wall --preset hf-eager-bf16 "${spec[@]}" --context 4096 --k-file "$scratch/short.csv"
expect_refused "short q-file" "--q-file" "head_dim = 32" -- \
  wall --preset hf-eager-bf16 "${spec[@]}" --context 4096 --q-file "$scratch/short.csv"
expect_refused "missing k-file" "--k-file" -- wall --preset hf-eager-bf16 "${spec[@]}" --context 4096 --k-file "$scratch/absent.csv"
expect_refused "seed with k-file" "--seed" "--k-file" -- \
  wall --preset hf-eager-bf16 "${spec[@]}" --context 4096 --seed 3 --k-file "$scratch/key0/key.npy"
expect_refused "seed 0 with q-file" "--seed" -- \
  wall --preset hf-eager-bf16 "${spec[@]}" --context 4096 --seed 0 --q-file "$scratch/zero_query.csv"
expect_refused "from and context" "--context" "--from" -- \
  wall --preset gpt-neox-fp16 "${spec[@]}" --from "$scratch/small" --context 4096
expect_refused "from absent" "--from" "not a directory" -- wall --preset gpt-neox-fp16 "${spec[@]}" --from "$scratch/absent"
expect_refused "from without spec" "--model" -- wall --preset gpt-neox-fp16 --from "$scratch/small"
expect_refused "from: manifest head_dim" "manifest.json" "spec.head_dim is 32" -- \
  wall --preset gpt-neox-fp16 --base 10000 --dim 64 --from "$scratch/small"
expect_refused "from: manifest base" "manifest.json" "spec.base" -- \
  wall --preset gpt-neox-fp16 --base 500000 --dim 32 --from "$scratch/small"
dir=$(broken no_manifest) && rm "$dir/manifest.json"
expect_refused "from: omega shape" "omega.npy" "(16,)" "(32,)" -- wall --preset gpt-neox-fp16 --base 10000 --dim 64 --from "$dir"
dir=$(broken no_cos) && rm "$dir/cos.npy"
expect_refused "from: no cos.npy" "cos.npy" "does not exist" -- wall --preset gpt-neox-fp16 "${spec[@]}" --from "$dir"
dir=$(broken float_positions) && cp "$dir/omega.npy" "$dir/positions.npy"
expect_refused "from: float positions" "positions.npy" "integer" -- wall --preset gpt-neox-fp16 "${spec[@]}" --from "$dir"
dir=$(broken angle_shape) && cp "$dir/key.npy" "$dir/angle.npy"
expect_refused "from: angle shape" "angle.npy" "(8, 32)" "(positions, pairs) = (8, 16)" -- \
  wall --preset gpt-neox-fp16 "${spec[@]}" --from "$dir"
dir=$(broken not_npy) && echo junk >"$dir/sin.npy"
expect_refused "from: not .npy" "sin.npy" "not a .npy file" -- wall --preset gpt-neox-fp16 "${spec[@]}" --from "$dir"
run emulate --preset gpt-neox-fp16 "${spec[@]}" --positions 5,3,4 --out "$scratch/unordered"
expect_refused "from: positions not increasing" "positions.npy" "strictly increasing" "3 after 5" -- \
  wall --preset gpt-neox-fp16 "${spec[@]}" --from "$scratch/unordered"
# An unwritable second output is refused before any work, and the first output is not left behind.
outputs=$(mktemp -d)
run wall --preset hf-eager-bf16 "${spec[@]}" --context 4096 --csv "$outputs/ok.csv" --pairs-csv /nonexistent/p.csv
expect_equal "unwritable --pairs-csv: exit code" "$status" 2
expect_contains "unwritable --pairs-csv: names the option" "$err" "--pairs-csv"
expect_equal "unwritable --pairs-csv: no other output left" "$(ls -A "$outputs")" ""
rm -rf "$outputs"

echo "wall_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
