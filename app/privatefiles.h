// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace ct {

//! Makes \a path a folder only its owner may enter (0700): created so (parents as the umask has
//! them), or an existing one that others may enter tightened, with a warning. False (logged) when
//! it cannot be created or tightened.
bool makePrivateFolder(const QString &path);

//! Makes \a path a file only its owner may read or write (0600): created empty with those
//! permissions, so it never exists with the umask's, or an existing looser one tightened (logged).
bool makePrivateFile(const QString &path, QString *error);

//! Tightens \a path to 0600 if it exists and others may read or write it (logged). True if it is
//! private now or does not exist.
bool tightenPrivateFile(const QString &path);

} // namespace ct
