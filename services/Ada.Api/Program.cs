using Ada.Api;
using Ada.Api.Directory;
using Ada.Api.Http;
using Ada.Api.Messages;
using Ada.Api.Schedules;
using Ada.Api.Sms;
using Ada.Api.Telegram;
using Ada.Api.Vk;
using Ada.Core.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApiServices();
builder.AddTelegramBot();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseBodyLimits();

app.MapDefaultEndpoints();
app.MapOpenApi();

app.MapDirectory();
app.MapTokens();
app.MapMessages();
app.MapHistory();
app.MapSchedules();
app.MapTracker();
app.MapSms();
app.MapVkCallback();
app.MapLinkCodes();
app.MapTelegramWebhook();

app.Run();

public partial class Program;
