using Ada.Core.Hosting;
using Ada.Couriers.Vk;

CourierHost.Run(args, builder => builder.AddVkCourier());

public partial class Program;
