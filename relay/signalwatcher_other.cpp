// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/signalwatcher.h"

namespace ct {

struct SignalWatcher::Private
{
};

SignalWatcher::SignalWatcher(QObject *parent)
    : QObject(parent)
    , d(new Private)
{ }

SignalWatcher::~SignalWatcher()
{
    delete d;
}

} // namespace ct
