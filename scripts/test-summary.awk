# Sums check's "NN%: Checks: C, Failures: F, Errors: E" lines of a meson test
# log into one closing line, "tests: P passed, F failed".
/Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/ {
    match($0, /Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/)
    split(substr($0, RSTART, RLENGTH), f, /[^0-9]+/)
    checks += f[2]; failed += f[3] + f[4]
}
END { printf "tests: %d passed, %d failed\n", checks - failed, failed }
