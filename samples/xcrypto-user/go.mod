module fipsgate.example/samples/xcrypto-user

go 1.19

require golang.org/x/crypto v0.31.0

// Our own stand-in (samples/xcrypto-local), so no third-party code is fetched; the build info
// still records the dependency and its replacement, as for a real vendored x/crypto.
replace golang.org/x/crypto => ../xcrypto-local
