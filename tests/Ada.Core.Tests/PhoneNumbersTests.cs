namespace Ada.Core.Tests;

/// <summary>The one phone-number rule: the directory stores what the courier can text, and the SMS door finds it.</summary>
public sealed class PhoneNumbersTests
{
    [Theory]
    [InlineData("+79990001234", "+79990001234")]
    [InlineData("+7 999 000-12-34", "+79990001234")]
    [InlineData("+7 (999) 000.12.34", "+79990001234")]
    [InlineData(" +447911123456", "+447911123456")]
    [InlineData("+1 650 555 1212", "+16505551212")]
    [InlineData("79990001234", "+79990001234")]
    [InlineData("89991234567", "+79991234567")]
    [InlineData("9991234567", "+79991234567")]
    [InlineData("8 (999) 123-45-67", "+79991234567")]
    [InlineData("6505551212", "+6505551212")]
    public void Normalize_PhoneNumbersAndRussianNationalForms_BecomeE164(string address, string expected) =>
        Assert.Equal(expected, PhoneNumbers.Normalize(address));

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("Tele2")]
    [InlineData("12345")]
    [InlineData("+1234567")] // 7 digits: E.164 allows it, no gateway Ada uses can text it
    [InlineData("+7999abc1234")]
    [InlineData("@someone")]
    [InlineData("7999+0001234")]
    [InlineData("+1234567890123456")]
    [InlineData("0079990001234")]
    [InlineData("+0123456789")]
    public void Normalize_NotAPhoneNumber_IsNull(string? address) => Assert.Null(PhoneNumbers.Normalize(address));

    [Theory]
    [InlineData("+7 (999) 123-45-67", "+79991234567")]
    [InlineData("+447911123456", "+447911123456")]
    [InlineData("89991234567", null)] // the directory wants the country: no national form is guessed
    [InlineData("79991234567", null)]
    [InlineData("+1234567", null)]
    public void International_RequiresThePlus(string address, string? expected) =>
        Assert.Equal(expected, PhoneNumbers.International(address));

    [Fact]
    public void EveryNumberTheDirectoryStores_TheCourierAndTheSmsDoorReadAsTheSame()
    {
        foreach (var typed in new[] { "+7 999 123-45-67", "+44 7911 123456", "+1 (650) 555-1212", "+380 44 123 4567" })
        {
            var stored = PhoneNumbers.International(typed);
            Assert.NotNull(stored);
            Assert.Equal(stored, PhoneNumbers.Normalize(stored));
        }
    }

    [Fact]
    public void Mask_KeepsTheCountryCodeAndTheLastTwoDigits() => Assert.Equal("+79*******67", PhoneNumbers.Mask("+79991234567"));
}
