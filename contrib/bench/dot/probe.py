#!/usr/bin/python3
"""probe.py SERVER NAME TIMEOUT_S SOURCE: ask SERVER:53 (UDP) for NAME A every 50 ms until a NOERROR answer
with an A record arrives; print the milliseconds it took and the answer, exit 0; exit 1 after TIMEOUT_S."""
import sys
import time

import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype


def main():
    server, name, timeout, source = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    t0 = time.monotonic()
    last = "no answer"
    while time.monotonic() - t0 < timeout:
        q = dns.message.make_query(name, "A")
        try:
            r = dns.query.udp(q, server, port=53, timeout=0.5, source=source)
            if r.rcode() == dns.rcode.NOERROR and any(rr.rdtype == dns.rdatatype.A for rr in r.answer):
                print("%.1f %s" % ((time.monotonic() - t0) * 1000, r.answer[0].to_text().replace("\n", " | ")))
                return 0
            last = dns.rcode.to_text(r.rcode())
        except (dns.exception.DNSException, OSError) as e:
            last = type(e).__name__
        time.sleep(0.05)
    print("timeout (%s)" % last)
    return 1


if __name__ == "__main__":
    sys.exit(main())
