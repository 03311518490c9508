// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Reference: a plain Node.js http server that verifies the HMAC (timing-safe) and stores nothing.
const http = require('http');
const crypto = require('crypto');
const secret = process.env.SECRET;
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', c => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const header = String(req.headers['circleci-signature'] || '');
    const v1 = header.split(',').map(p => p.trim()).find(p => p.startsWith('v1='));
    const want = crypto.createHmac('sha256', secret).update(body).digest();
    const got = v1 && /^[0-9a-f]{64}$/i.test(v1.slice(3)) ? Buffer.from(v1.slice(3), 'hex') : null;
    const ok = got && crypto.timingSafeEqual(want, got);
    res.writeHead(ok ? 200 : 401, { 'Content-Type': 'text/plain' });
    res.end(ok ? 'ok\n' : 'bad signature\n');
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
