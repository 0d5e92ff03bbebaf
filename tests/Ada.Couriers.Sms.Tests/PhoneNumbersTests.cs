namespace Ada.Couriers.Sms.Tests;

public sealed class PhoneNumbersTests
{
    [Theory]
    [InlineData("+79990001234", "+79990001234")]
    [InlineData("+7 999 000-12-34", "+79990001234")]
    [InlineData("+7 (999) 000.12.34", "+79990001234")]
    [InlineData("79990001234", "+79990001234")]
    [InlineData(" +447911123456", "+447911123456")]
    public void Normalize_PhoneNumbers_BecomePlusAndDigits(string address, string expected) =>
        Assert.Equal(expected, PhoneNumbers.Normalize(address));

    [Theory]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("+7999abc1234")]
    [InlineData("@someone")]
    [InlineData("7999+0001234")]
    [InlineData("+1234567890123456")]
    [InlineData("0079990001234")]
    public void Normalize_NotAPhoneNumber_IsNull(string address) => Assert.Null(PhoneNumbers.Normalize(address));
}
