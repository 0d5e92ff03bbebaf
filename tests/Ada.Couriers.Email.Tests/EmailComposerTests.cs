using Ada.Core.Couriers;
using Ada.Core.Directory;
using MimeKit;

namespace Ada.Couriers.Email.Tests;

public sealed class EmailComposerTests
{
    [Theory]
    [InlineData("Exam moved", "Exam moved")]
    [InlineData("\n  \r\n  Exam   moved\tto Friday \r\nRoom 305", "Exam moved to Friday")]
    [InlineData("Занятие отменено\nподробности", "Занятие отменено")]
    public void Subject_IsTheFirstLineWithText_WhiteSpaceCollapsed(string text, string subject) =>
        Assert.Equal(subject, EmailComposer.Subject(text));

    [Fact]
    public void Subject_OfALongLine_IsCutAtAWord_AndEndsWithAnEllipsis()
    {
        var line = string.Join(' ', Enumerable.Repeat("переносится", 20));

        var subject = EmailComposer.Subject(line);

        Assert.True(subject.Length <= EmailComposer.MaxSubjectLength, subject);
        Assert.EndsWith("переносится…", subject, StringComparison.Ordinal);
    }

    [Fact]
    public void MessageId_DependsOnMessageAndAddress_NotOnTheAttempt()
    {
        var id = EmailComposer.MessageId("t.lee:1", "Student@uni.example", "uni.example");

        Assert.Equal(id, EmailComposer.MessageId("t.lee:1", "student@uni.example", "uni.example"));
        Assert.NotEqual(id, EmailComposer.MessageId("t.lee:2", "student@uni.example", "uni.example"));
        Assert.NotEqual(id, EmailComposer.MessageId("t.lee:1", "other@uni.example", "uni.example"));
        Assert.Matches("^ada\\.[0-9a-f]{32}@uni\\.example$", id);
    }

    [Fact]
    public void Compose_TheSharedSenderAddress_DoesNotKeepTheMessagesAlive()
    {
        // The courier composes every email with one MailboxAddress of Email__From; MimeKit's address lists subscribe to
        // their addresses' Changed event, so adding that one instance to each message's From kept every message alive.
        var from = MailboxAddress.Parse("Ada <noreply@uni.example>");

        var composed = ComposeAndForget(from);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(composed.IsAlive, "a composed message is still reachable after it was dropped");
        GC.KeepAlive(from);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference ComposeAndForget(MailboxAddress from)
    {
        var mail = EmailComposer.Compose(from, MailboxAddress.Parse("s@uni.example"), new OutgoingMessage("t.lee:1", "Hi", false),
            DateTimeOffset.UnixEpoch);
        Assert.Equal("noreply@uni.example", mail.From.Mailboxes.Single().Address);
        return new WeakReference(mail);
    }

    [Fact]
    public void Compose_PlainTextUtf8_FromToSubjectAndHeaders()
    {
        var mail = EmailComposer.Compose(MailboxAddress.Parse("Ada <noreply@uni.example>"), MailboxAddress.Parse("s@uni.example"),
            new OutgoingMessage("t.lee:1", "Ауд. 305\nв 10:00"), DateTimeOffset.UnixEpoch);

        var body = Assert.IsType<TextPart>(mail.Body);
        Assert.True(body.IsPlain);
        Assert.Equal("utf-8", body.ContentType.Charset);
        Assert.Equal("Ауд. 305\nв 10:00", body.Text);
        Assert.Equal("Ауд. 305", mail.Subject);
        Assert.Equal("auto-generated", mail.Headers["Auto-Submitted"]);
        Assert.Equal("t.lee:1", mail.Headers[EmailComposer.MessageIdHeader]);
    }

    [Theory]
    [InlineData("ivanova@university.ru", "ivanova@university.ru")]
    [InlineData(" I.Ivanova+ada@Mail.University.RU ", "I.Ivanova+ada@mail.university.ru")]
    [InlineData("student@почта.рф", "student@почта.рф")]
    [InlineData("a_b-c@xn--80a1acny.xn--p1ai", "a_b-c@xn--80a1acny.xn--p1ai")]
    public void EmailAddresses_Accepts_BareAddresses(string text, string canonical)
    {
        Assert.True(EmailAddresses.TryNormalize(text, out var address));
        Assert.Equal(canonical, address);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ivanova")]
    [InlineData("Ivanova <ivanova@university.ru>")]
    [InlineData("ivanova@university")]
    [InlineData("ivanova@university.r")]
    [InlineData("ivanova@university.ru.")]
    [InlineData(".ivanova@university.ru")]
    [InlineData("иванова@university.ru")]
    [InlineData("ivanova@univ_ersity.ru")]
    [InlineData("ivanova@[127.0.0.1]")]
    [InlineData("a@b@university.ru")]
    public void EmailAddresses_Refuses_WhatIsNotABareAddress(string text) =>
        Assert.False(EmailAddresses.TryNormalize(text, out _));
}
