package session

import (
	"math/rand/v2"
	"time"
)

// backoff computes reconnection delays: exponential growth from base up to
// max, with jitter so that many clients cut off at once by a server restart
// do not come back in lockstep.
type backoff struct {
	base, max time.Duration
	// rand returns a number in [0, 1); nil means math/rand.
	rand func() float64
}

var defaultBackoff = backoff{base: time.Second, max: 5 * time.Minute}

// delay is the wait before attempt n (n >= 1 is the number of failures so
// far). The result lies in [d/2, d) where d = base * 2^(n-1), capped at max.
func (b backoff) delay(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := b.base
	for i := 1; i < n && d < b.max; i++ {
		d *= 2
	}
	if d > b.max {
		d = b.max
	}
	r := b.rand
	if r == nil {
		r = rand.Float64
	}
	half := d / 2
	return half + time.Duration(r()*float64(d-half))
}
