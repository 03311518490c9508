// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QString>
#include <QUrl>

namespace ct {

//! A CircleCI personal API token and where it was found (for messages: never the token itself).
struct CircleCiToken
{
    QByteArray token;
    QString origin; //!< "--token-file F", "CIRCLECI_TOKEN", "~/.circleci/cli.yml" …
    QUrl host; //!< the circleci CLI's `host:` when the token came from its file; else empty

    bool isEmpty() const { return token.isEmpty(); }

    /*!
     * First found wins: \a tokenFile (its first non-blank, non-# line); the environment's
     * CIRCLECI_TOKEN, then CIRCLECI_CLI_TOKEN; the `token:` (and `host:`) of the official circleci
     * CLI's `cli.yml` in \a cliConfigDir (default `~/.circleci`). A named file that cannot be read or
     * holds nothing is an error (in \a error), not a reason to look elsewhere.
     */
    static CircleCiToken find(const QString &tokenFile, QString *error, const QString &cliConfigDir = {});
    //! The circleci CLI's `token:` and `host:` from its \a path (a flat YAML mapping).
    static CircleCiToken fromCliConfig(const QString &path);
};

} // namespace ct
