package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddr is the address of the browser: the peer's, or, when the peer
// is one of Config.TrustedProxies, the nearest address in X-Forwarded-For
// that is not a trusted proxy. Each proxy appends the address it was
// reached from, so the entries right of the first untrusted one were
// written by the proxies and the ones left of it by whoever sent the
// request. Without trusted proxies the header is never read.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return r.RemoteAddr
	}
	addr = addr.Unmap().WithZone("")
	if !s.trustedProxy(addr) {
		return addr.String()
	}
	hops := forwardedFor(r)
	for i := len(hops) - 1; i >= 0; i-- {
		hop, ok := parseHop(hops[i])
		if !ok {
			break // not written by a proxy we know: stay with the last one that was
		}
		addr = hop
		if !s.trustedProxy(addr) {
			break
		}
	}
	return addr.String()
}

func (s *Server) trustedProxy(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedFor lists the X-Forwarded-For entries of every such header, in
// order.
func forwardedFor(r *http.Request) []string {
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	return hops
}

// parseHop reads one X-Forwarded-For entry: an address, with or without a
// port.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, perr := netip.ParseAddrPort(s)
		if perr != nil {
			return netip.Addr{}, false
		}
		a = ap.Addr()
	}
	return a.Unmap().WithZone(""), true
}

// throttleAddr is the address sign-ins are counted against: an IPv4
// address as it is, an IPv6 address as its /64, which one site or one
// customer usually holds whole (so one client cannot get a fresh count
// per address).
func throttleAddr(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil || a.Is4() {
		return addr
	}
	p, err := a.Prefix(64)
	if err != nil {
		return addr
	}
	return p.String()
}
