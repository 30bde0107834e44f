module fipsgate.example/samples/weakcrypto

go 1.19
