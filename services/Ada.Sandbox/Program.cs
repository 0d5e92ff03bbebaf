using Ada.Sandbox;
using Ada.Sandbox.Email;
using Ada.Sandbox.Sms;
using Ada.Sandbox.Telegram;
using Ada.Sandbox.Vk;

var builder = WebApplication.CreateBuilder(args);

builder.AddSandbox();

var app = builder.Build();

app.UseControlToken();

app.MapHealthChecks("/health/live");
app.MapHealthChecks("/health/ready");
app.MapSandboxControlApi();
var channels = app.Services.GetRequiredService<SandboxChannels>();
if (channels.Telegram)
{
    app.MapTelegramBotApi();
    app.MapTelegramControlApi();
    app.MapTelegramChatPage();
}
if (channels.Vk)
{
    app.MapVkApi();
    app.MapVkControlApi();
}
if (channels.Sms)
{
    app.MapSmsGatewayLocalApi();
    app.MapSmsGatewayCloudApi();
    app.MapSmsRuApi();
    app.MapSmsControlApi();
}
if (channels.Email)
{
    app.MapEmailControlApi();
}

app.Run();

public partial class Program;
