// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Writes N unique, signed ~2.5 KB workflow-completed bodies for wrk (one per line: signature TAB body).
const crypto = require('crypto');
const fs = require('fs');
const [,, out, count, secret] = process.argv;
const template = JSON.parse(fs.readFileSync(__dirname + '/../../tests/data/gitlab-workflow-completed.json', 'utf8'));
const lines = [];
// Fresh events: the relay does not store deliveries older than its retention window (issue 14).
template.happened_at = new Date().toISOString();
for (let i = 0; i < Number(count); i++) {
  template.id = crypto.randomUUID();
  template.workflow.id = crypto.randomUUID();
  const body = JSON.stringify(template);
  const sig = crypto.createHmac('sha256', secret).update(body).digest('hex');
  lines.push(sig + '\t' + body);
}
fs.writeFileSync(out, lines.join('\n') + '\n');
