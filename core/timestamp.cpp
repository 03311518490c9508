// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/timestamp.h"

#include <cstdio>

namespace ct {

namespace {

    class Cursor
    {
    public:
        explicit Cursor(QByteArrayView t)
            : m_text(t)
        { }
        bool atEnd() const { return m_pos >= m_text.size(); }
        char peek() const { return atEnd() ? '\0' : m_text[m_pos]; }
        bool eat(char c)
        {
            if (peek() != c)
                return false;
            ++m_pos;
            return true;
        }
        //! Exactly \a n decimal digits.
        bool number(int n, int &out)
        {
            out = 0;
            for (int i = 0; i < n; ++i) {
                const char c = peek();
                if (c < '0' || c > '9')
                    return false;
                out = out * 10 + (c - '0');
                ++m_pos;
            }
            return true;
        }
        //! One or more digits; keeps the first three as milliseconds (truncating, like Qt).
        bool fraction(int &millis)
        {
            millis = 0;
            int digits = 0;
            while (peek() >= '0' && peek() <= '9') {
                if (digits < 3)
                    millis = millis * 10 + (peek() - '0');
                ++digits;
                ++m_pos;
            }
            for (int i = digits; i < 3; ++i)
                millis *= 10;
            return digits > 0;
        }
        //! Letters only to the end (a zone abbreviation such as "UTC").
        bool lettersToEnd()
        {
            bool any = false;
            while (!atEnd()) {
                const char c = peek();
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
                    return false;
                any = true;
                ++m_pos;
            }
            return any;
        }

    private:
        QByteArrayView m_text;
        qsizetype m_pos = 0;
    };

    // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    qint64 daysFromCivil(int y, int m, int d)
    {
        y -= m <= 2;
        const qint64 era = (y >= 0 ? y : y - 399) / 400;
        const int yoe = int(y - era * 400);
        const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }

    int daysInMonth(int y, int m)
    {
        static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        return m == 2 && leap ? 29 : days[m - 1];
    }

    //! `Z`, `±HH`, `±HHMM` or `±HH:MM`, as seconds east of UTC.
    bool offset(Cursor &c, int &seconds)
    {
        if (c.eat('Z') || c.eat('z')) {
            seconds = 0;
            return true;
        }
        int sign = 0;
        if (c.eat('+'))
            sign = 1;
        else if (c.eat('-'))
            sign = -1;
        else
            return false;
        int hh = 0;
        int mm = 0;
        if (!c.number(2, hh))
            return false;
        if (c.eat(':')) {
            if (!c.number(2, mm))
                return false;
        } else if (c.peek() >= '0' && c.peek() <= '9' && !c.number(2, mm)) {
            return false;
        }
        if (hh > 23 || mm > 59)
            return false;
        seconds = sign * (hh * 3600 + mm * 60);
        return true;
    }

} // namespace

QDateTime parseTimestamp(QByteArrayView text)
{
    Cursor c(text);
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0, off = 0;
    if (!c.number(4, y) || !c.eat('-') || !c.number(2, mo) || !c.eat('-') || !c.number(2, d))
        return {};
    if (!(c.eat('T') || c.eat('t') || c.eat(' ')))
        return {};
    if (!c.number(2, h) || !c.eat(':') || !c.number(2, mi) || !c.eat(':') || !c.number(2, s))
        return {};
    if ((c.eat('.') || c.eat(',')) && !c.fraction(ms))
        return {};
    if (c.eat(' ')) {
        // Go's time.String(): "+0000 UTC" (the zone name is informative; the offset counts).
        if (!offset(c, off))
            return {};
        if (c.eat(' ') && !c.lettersToEnd())
            return {};
    } else if (!c.atEnd() && !offset(c, off)) {
        return {};
    }
    if (!c.atEnd())
        return {};
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59)
        return {};
    const qint64 secs = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - off;
    return QDateTime::fromMSecsSinceEpoch(secs * 1000 + ms, Qt::UTC);
}

QByteArray formatTimestamp(const QDateTime &t)
{
    if (!t.isValid())
        return {};
    const QDateTime u = t.toUTC();
    const QDate d = u.date();
    const QTime tm = u.time();
    char buf[40];
    const int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", d.year(), d.month(), d.day(),
                                tm.hour(), tm.minute(), tm.second(), tm.msec());
    return QByteArray(buf, n);
}

} // namespace ct
