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
    //! An unencrypted EC (P-256) private key as <base>.key.
    bool ecKey(const char *base)
    {
        return run(
            {"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", QByteArray(base) + ".key"});
    }
    //! A self-signed certificate for 127.0.0.1 valid only in January 2020, as <base>.pem and <base>.key.
    bool expired(const char *base)
    {
        const QByteArray b(base);
        QFile cnf(path("expired-ca.cnf"));
        QFile index(path("index.txt"));
        QFile serial(path("serial"));
        if (!cnf.open(QIODevice::WriteOnly) || !index.open(QIODevice::WriteOnly) || !serial.open(QIODevice::WriteOnly))
            return false;
        cnf.write("[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\n"
                  "default_md = sha256\npolicy = p\ncopy_extensions = copy\n[p]\ncommonName = supplied\n");
        serial.write("01\n");
        cnf.close();
        index.close();
        serial.close();
        return run({"req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1", "-keyout", b + ".key", "-out", b + ".csr"})
            && run({"ca", "-batch", "-config", "expired-ca.cnf", "-selfsign", "-keyfile", b + ".key", "-in", b + ".csr",
                    "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-out", b + ".pem"});
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
