// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/logging.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcVerifier, "circletray.core.verifier", QtInfoMsg)
Q_LOGGING_CATEGORY(lcParser, "circletray.core.parser", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHttp, "circletray.core.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcReceiver, "circletray.core.receiver", QtInfoMsg)

namespace ct {

QString logQuoted(QStringView text, qsizetype maxChars)
{
    QString out;
    out.reserve(std::min(text.size(), maxChars) + 8);
    out += u'"';
    qsizetype n = 0;
    for (const QChar c : text) {
        if (n++ == maxChars) {
            out += u'…';
            break;
        }
        const char16_t u = c.unicode();
        switch (u) {
        case u'"':
            out += u"\\\"";
            continue;
        case u'\\':
            out += u"\\\\";
            continue;
        case u'\n':
            out += u"\\n";
            continue;
        case u'\r':
            out += u"\\r";
            continue;
        case u'\t':
            out += u"\\t";
            continue;
        default:
            break;
        }
        // C0, DEL, C1, and the line/paragraph separators and bidi controls that reorder a line.
        const bool control = u < 0x20 || (u >= 0x7f && u <= 0x9f) || u == 0x2028 || u == 0x2029
            || (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069);
        if (control)
            out += u"\\u%1"_s.arg(uint(u), 4, 16, QChar(u'0'));
        else
            out += c;
    }
    out += u'"';
    return out;
}

} // namespace ct
