// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// The process umask for a scope: files a test creates get what a user's shell would give them.
#pragma once

#include <sys/stat.h>

namespace ct::test {

class Umask
{
public:
    explicit Umask(mode_t mask)
        : m_old(::umask(mask))
    { }
    ~Umask() { ::umask(m_old); }
    Umask(const Umask &) = delete;
    Umask &operator=(const Umask &) = delete;

private:
    mode_t m_old;
};

} // namespace ct::test
