// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// The floor under delivery latency on a machine: a 2.6 KB message to a Node.js echo server and back
// over loopback, every 2 ms, 2000 times (p50/p99). Run the server on core 0 and the client on core 1:
//   taskset -c 0 node bench/relay/echo-rtt.js server & taskset -c 1 node bench/relay/echo-rtt.js
const net = require('net');
if (process.argv[2] === 'server') {
  net.createServer(s => { s.setNoDelay(true); s.on('data', d => s.write(d)); }).listen(9922, '127.0.0.1');
} else {
  const msg = Buffer.alloc(2600, 'x');
  const c = net.connect(9922, '127.0.0.1', () => {
    c.setNoDelay(true);
    const lat = []; let t0, got = 0, n = 0;
    const send = () => { got = 0; t0 = process.hrtime.bigint(); c.write(msg); };
    c.on('data', d => { got += d.length; if (got >= msg.length) { lat.push(Number(process.hrtime.bigint() - t0) / 1e6); if (++n < 2000) setTimeout(send, 2); else { lat.sort((a,b)=>a-b); console.log('rtt p50', lat[1000].toFixed(3), 'p99', lat[1980].toFixed(3)); process.exit(0);} } });
    send();
  });
}
