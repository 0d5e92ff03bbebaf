using Ada.Api;
using Ada.Api.Directory;
using Ada.Api.Messages;
using Ada.Api.Sessions;
using Ada.Api.Sms;
using Ada.Api.Vk;
using Ada.Api.Web;
using Ada.Core.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApiServices();
builder.AddWebApp();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
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
app.MapTracker();
app.MapSms();
app.MapVkCallback();
app.MapLinkCodes();
app.MapAddressees();
app.MapWebApp();

app.Run();

public partial class Program;
