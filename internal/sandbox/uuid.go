package sandbox

import "crypto/rand"

// NewUUID returns a random version-4 UUID, for the per-request ids
// (correlation ids, error instances, connection ids) that need not be
// reproducible; record ids are, and come from each emulator's seeded
// generator.
func NewUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 36)
	j := 0
	for i, v := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hex[v>>4], hex[v&0x0f]
		j += 2
	}
	return string(out)
}
