using Ada.Sandbox;
using Ada.Sandbox.Email;
using Ada.Sandbox.Sms;
using Ada.Sandbox.Telegram;
using Ada.Sandbox.Vk;

var builder = WebApplication.CreateBuilder(args);

builder.AddSandbox();

var app = builder.Build();

app.MapHealthChecks("/health/live");
app.MapHealthChecks("/health/ready");
app.MapSandboxControlApi();
app.MapTelegramBotApi();
app.MapTelegramControlApi();
app.MapTelegramChatPage();
app.MapVkApi();
app.MapVkControlApi();
app.MapSmsGatewayLocalApi();
app.MapSmsGatewayCloudApi();
app.MapSmsRuApi();
app.MapSmsControlApi();
app.MapEmailControlApi();

app.Run();

public partial class Program;
