using Ada.Api;
using Ada.Api.Couriers;
using Ada.Api.Directory;
using Ada.Api.Http;
using Ada.Api.Messages;
using Ada.Api.Sessions;
using Ada.Api.Schedules;
using Ada.Api.Sms;
using Ada.Api.Telegram;
using Ada.Api.Vk;
using Ada.Api.Web;
using Ada.Core.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(redisOnThreadPool: true);
builder.AddInternalUrls();
builder.AddApiServices();
builder.AddWebApp();
builder.AddTelegramBot();

var app = builder.Build();

app.UseInternalOnlyPaths();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseBodyLimits();
app.UseAuthentication();
app.UseSessionAntiforgery();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapOpenApi();

app.MapSessions();
app.MapDirectory();
app.MapTokens();
app.MapMessages();
app.MapHistory();
app.MapSchedules();
app.MapTracker();
app.MapSms();
app.MapVkCallback();
app.MapLinkCodes();
app.MapAddressees();
app.MapWebApp();
app.MapTelegramWebhook();
app.MapChannels();

app.Run();

public partial class Program;
