// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Certificates made at test time with the openssl command line: a CA, and a server certificate
// for 127.0.0.1 signed by it.
#pragma once

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

namespace ct::test {

class TestCa
{
public:
    //! false when the openssl command is missing or failed.
    bool create()
    {
        m_openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (m_openssl.isEmpty())
            return false;
        QFile ext(path("ext.cnf"));
        if (!ext.open(QIODevice::WriteOnly))
            return false;
        ext.write("subjectAltName=IP:127.0.0.1\n");
        ext.close();
        return run({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=CircleTray Test CA",
                    "-keyout", "ca.key", "-out", "ca.pem"})
            && run({"req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out",
                    "server.csr"})
            && run({"x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                    "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem"});
    }
    //! A self-signed certificate for 127.0.0.1 with common name \a cn, as <base>.pem and <base>.key.
    bool selfSigned(const char *cn, const char *base)
    {
        const QString b = QString::fromLatin1(base);
        return run({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", QByteArray("/CN=") + cn,
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", (b + u".key").toLatin1(), "-out",
                    (b + u".pem").toLatin1()});
    }
    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }
    QString caCert() const { return path("ca.pem"); }
    QString serverCert() const { return path("server.pem"); }
    QString serverKey() const { return path("server.key"); }

private:
    bool run(const QList<QByteArray> &args)
    {
        if (m_openssl.isEmpty())
            m_openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        QStringList list;
        for (const QByteArray &a : args)
            list.append(QString::fromUtf8(a));
        QProcess p;
        p.setWorkingDirectory(m_dir.path());
        p.start(m_openssl, list);
        return p.waitForFinished(30000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }

    QTemporaryDir m_dir;
    QString m_openssl;
};

} // namespace ct::test
