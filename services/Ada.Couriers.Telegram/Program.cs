using Ada.Core.Hosting;
using Ada.Couriers.Telegram;

CourierHost.Run(args, builder => builder.AddTelegramCourier());

public partial class Program;
