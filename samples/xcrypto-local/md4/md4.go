// Package md4 is a small MD4 (RFC 1320) for the fipsgate samples. MD4 is broken and not
// FIPS-approved; the sample exists so that a non-approved x/crypto package is linked.
package md4

import (
	"encoding/binary"
	"hash"
	"math/bits"
)

// Size is the length of an MD4 digest in bytes.
const Size = 16

// BlockSize is the block length of MD4 in bytes.
const BlockSize = 64

type digest struct {
	state   [4]uint32
	pending []byte
	length  uint64
}

// New returns a new hash.Hash computing MD4.
func New() hash.Hash {
	d := &digest{}
	d.Reset()
	return d
}

func (d *digest) Reset() {
	d.state = [4]uint32{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476}
	d.pending = d.pending[:0]
	d.length = 0
}

func (d *digest) Size() int      { return Size }
func (d *digest) BlockSize() int { return BlockSize }

func (d *digest) Write(p []byte) (int, error) {
	d.length += uint64(len(p))
	d.pending = append(d.pending, p...)
	for len(d.pending) >= BlockSize {
		d.block(d.pending[:BlockSize])
		d.pending = d.pending[BlockSize:]
	}
	d.pending = append([]byte(nil), d.pending...)
	return len(p), nil
}

func (d *digest) Sum(in []byte) []byte {
	saved := *d
	saved.pending = append([]byte(nil), d.pending...)
	bitLength := d.length * 8
	padding := make([]byte, 1, BlockSize+8)
	padding[0] = 0x80
	for (d.length+uint64(len(padding)))%BlockSize != 56 {
		padding = append(padding, 0)
	}
	padding = binary.LittleEndian.AppendUint64(padding, bitLength)
	d.Write(padding)
	out := make([]byte, 0, Size)
	for _, word := range d.state {
		out = binary.LittleEndian.AppendUint32(out, word)
	}
	*d = saved
	return append(in, out...)
}

func (d *digest) block(chunk []byte) {
	var x [16]uint32
	for i := range x {
		x[i] = binary.LittleEndian.Uint32(chunk[4*i:])
	}
	a, b, c, e := d.state[0], d.state[1], d.state[2], d.state[3]
	f := func(x, y, z uint32) uint32 { return (x & y) | (^x & z) }
	g := func(x, y, z uint32) uint32 { return (x & y) | (x & z) | (y & z) }
	h := func(x, y, z uint32) uint32 { return x ^ y ^ z }
	for _, i := range [16]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15} {
		shift := [4]int{3, 7, 11, 19}[i%4]
		a, b, c, e = e, bits.RotateLeft32(a+f(b, c, e)+x[i], shift), b, c
	}
	for n, i := range [16]int{0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15} {
		shift := [4]int{3, 5, 9, 13}[n%4]
		a, b, c, e = e, bits.RotateLeft32(a+g(b, c, e)+x[i]+0x5a827999, shift), b, c
	}
	for n, i := range [16]int{0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15} {
		shift := [4]int{3, 9, 11, 15}[n%4]
		a, b, c, e = e, bits.RotateLeft32(a+h(b, c, e)+x[i]+0x6ed9eba1, shift), b, c
	}
	d.state[0] += a
	d.state[1] += b
	d.state[2] += c
	d.state[3] += e
}
